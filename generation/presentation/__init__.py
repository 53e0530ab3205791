"""What the pages and the API show of runs and reports, as HTML and figures: inline SVG charts
(charts), the run page's charts (run_charts), the quality report's tables and pairs (quality)."""
