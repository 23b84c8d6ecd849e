#pragma once
// A small SVG line chart: side-by-side panels sharing a legend, x on a log2 scale (the
// numbers of connections double), y linear from zero. Enough for the benchmark's figure.

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace chart {

struct point {
  double x = 0, y = 0;
};

struct series {
  std::string name;
  std::vector<point> points;
};

struct panel {
  std::string title;
  std::vector<series> lines;
};

namespace detail {

// A round axis maximum above `value`: 1, 2 or 5 times a power of ten.
inline double nice_ceiling(double value) {
  if (value <= 0) return 1;
  const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
  for (const double step : {1.0, 2.0, 5.0, 10.0})
    if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

inline std::string escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

constexpr const char* colours[] = {"#1b6ac9", "#5fa8f5", "#d9480f", "#2b8a3e", "#7048e8", "#868e96", "#c2255c", "#f59f00"};

}  // namespace detail

inline std::string render(const std::vector<panel>& panels, const std::string& x_label, const std::string& y_label) {
  constexpr double panel_width = 420, panel_height = 300, left = 70, top = 40, gap = 90, legend_row = 22;
  const double width = left + static_cast<double>(panels.size()) * (panel_width + gap);
  // The legend wraps into rows that fit the width (about 7 px per character).
  auto legend_item_width = [](const series& s) { return 34 + 7 * static_cast<double>(s.name.size()); };
  std::size_t legend_rows = 1;
  if (!panels.empty()) {
    double x = left;
    for (const series& s : panels.front().lines) {
      if (x + legend_item_width(s) > width && x > left) {
        ++legend_rows;
        x = left;
      }
      x += legend_item_width(s);
    }
  }
  const double legend_top = top + panel_height + 56;
  const double height = legend_top + static_cast<double>(legend_rows) * legend_row + 10;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";

  for (std::size_t p = 0; p < panels.size(); ++p) {
    const panel& pn = panels[p];
    double x_min = 1e300, x_max = 0, y_max = 0;
    for (const series& s : pn.lines)
      for (const point& pt : s.points) {
        x_min = std::min(x_min, pt.x);
        x_max = std::max(x_max, pt.x);
        y_max = std::max(y_max, pt.y);
      }
    if (x_max <= 0) continue;
    y_max = detail::nice_ceiling(y_max);
    const double x0 = left + static_cast<double>(p) * (panel_width + gap), y0 = top + panel_height;
    const double span = std::max(std::log2(x_max / x_min), 1.0);
    auto px = [&](double x) { return x0 + std::log2(x / x_min) / span * panel_width; };
    auto py = [&](double y) { return y0 - y / y_max * panel_height; };

    svg << "<text x=\"" << x0 + panel_width / 2 << "\" y=\"" << top - 15 << "\" text-anchor=\"middle\" font-size=\"14\">"
        << detail::escape(pn.title) << "</text>\n";
    for (int i = 0; i <= 5; ++i) {  // horizontal grid with y labels
      const double y = y_max * i / 5;
      svg << "<line x1=\"" << x0 << "\" x2=\"" << x0 + panel_width << "\" y1=\"" << py(y) << "\" y2=\"" << py(y)
          << "\" stroke=\"#e9ecef\"/>\n<text x=\"" << x0 - 6 << "\" y=\"" << py(y) + 4
          << "\" text-anchor=\"end\">" << y << "</text>\n";
    }
    for (double x = x_min; x <= x_max * 1.0001; x *= 2)  // x ticks at each doubling
      svg << "<text x=\"" << px(x) << "\" y=\"" << y0 + 16 << "\" text-anchor=\"middle\">" << x << "</text>\n";
    svg << "<line x1=\"" << x0 << "\" x2=\"" << x0 << "\" y1=\"" << top << "\" y2=\"" << y0 << "\" stroke=\"#495057\"/>\n"
        << "<line x1=\"" << x0 << "\" x2=\"" << x0 + panel_width << "\" y1=\"" << y0 << "\" y2=\"" << y0
        << "\" stroke=\"#495057\"/>\n"
        << "<text x=\"" << x0 + panel_width / 2 << "\" y=\"" << y0 + 34 << "\" text-anchor=\"middle\">"
        << detail::escape(x_label) << "</text>\n";
    if (p == 0)
      svg << "<text transform=\"translate(16 " << top + panel_height / 2 << ") rotate(-90)\" text-anchor=\"middle\">"
          << detail::escape(y_label) << "</text>\n";

    for (std::size_t l = 0; l < pn.lines.size(); ++l) {
      const char* colour = detail::colours[l % std::size(detail::colours)];
      svg << "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" << colour << "\" points=\"";
      for (const point& pt : pn.lines[l].points) svg << px(pt.x) << ',' << py(pt.y) << ' ';
      svg << "\"/>\n";
      for (const point& pt : pn.lines[l].points)
        svg << "<circle r=\"3\" fill=\"" << colour << "\" cx=\"" << px(pt.x) << "\" cy=\"" << py(pt.y) << "\"/>\n";
    }
  }

  if (!panels.empty()) {  // one legend for all panels: the same clients in the same colours
    double x = left, y = legend_top + 12;
    for (std::size_t l = 0; l < panels.front().lines.size(); ++l) {
      const series& s = panels.front().lines[l];
      if (x + legend_item_width(s) > width && x > left) {
        x = left;
        y += legend_row;
      }
      svg << "<rect x=\"" << x << "\" y=\"" << y - 6 << "\" width=\"14\" height=\"4\" fill=\""
          << detail::colours[l % std::size(detail::colours)] << "\"/>\n<text x=\"" << x + 20 << "\" y=\"" << y
          << "\">" << detail::escape(s.name) << "</text>\n";
      x += legend_item_width(s);
    }
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace chart
