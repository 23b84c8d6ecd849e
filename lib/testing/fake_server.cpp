// Placeholder: the fake server is being written.
#include <humm/analyst/testing/fake_server.hpp>
