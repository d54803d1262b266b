extension HTMLReport {
    /// The report's only stylesheet, inline so the file opens from disk with nothing to fetch.
    ///
    /// Colours are custom properties set once for light and once for dark
    /// (`prefers-color-scheme`); print always uses the light set without backgrounds. Charts
    /// take their colours from the same properties through class names. Verdict colours
    /// always come with a symbol and a word, and chart series differ by marker and dash.
    static let stylesheet: StaticString = """
        :root {
          color-scheme: light dark;
          --bg: #ffffff; --fg: #1b1f24; --muted: #59636e; --rule: #d6dce3; --surface: #f5f7f9;
          --band: #f4f6f8; --accent: #0b5cad;
          --good: #116329; --good-bg: #e1f4e5; --bad: #b42318; --bad-bg: #fce9e7;
          --neutral: #59636e; --neutral-bg: #edf0f3; --warn: #7a4b00; --warn-bg: #fdf1d6;
          --train: #0b5cad; --validation: #c2410c; --heat: #1d4ed8; --heat-strong-text: #ffffff;
          --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans",
            "Liberation Sans", "DejaVu Sans", Arial, sans-serif;
          --mono: ui-monospace, "SF Mono", SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono",
            "Liberation Mono", monospace;
        }
        @media (prefers-color-scheme: dark) {
          :root {
            --bg: #0f1419; --fg: #e5e9ee; --muted: #9ba5b1; --rule: #2c343e; --surface: #161c23;
            --band: #141a20; --accent: #79b8ff;
            --good: #56d37a; --good-bg: #11321c; --bad: #ff8a80; --bad-bg: #3d1717;
            --neutral: #9ba5b1; --neutral-bg: #222931; --warn: #f0c15a; --warn-bg: #33280f;
            --train: #79b8ff; --validation: #ffa66b; --heat: #8ab8ff; --heat-strong-text: #0f1419;
          }
        }
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
        body {
          margin: 0; background: var(--bg); color: var(--fg); font-family: var(--sans);
          font-size: 15px; line-height: 1.55;
        }
        main { max-width: 1120px; margin: 0 auto; padding: 32px 28px 56px; }
        h1 { font-size: 1.9rem; line-height: 1.2; margin: 0.2rem 0 0.8rem; letter-spacing: -0.01em; }
        h2 {
          font-size: 1.3rem; margin: 0 0 0.9rem; padding-top: 0.4rem; letter-spacing: -0.005em;
        }
        h3 { font-size: 1.02rem; margin: 1.4rem 0 0.5rem; }
        p { margin: 0.4rem 0 0.8rem; }
        a { color: var(--accent); }
        code { font-family: var(--mono); font-size: 0.86em; overflow-wrap: anywhere; }
        .eyebrow {
          margin: 0; color: var(--muted); font-size: 0.78rem; font-weight: 600;
          letter-spacing: 0.08em; text-transform: uppercase;
        }
        .run-meta { display: flex; flex-wrap: wrap; gap: 6px 28px; margin: 0 0 1.2rem; }
        .run-meta div { display: flex; gap: 8px; align-items: baseline; }
        .run-meta dt { color: var(--muted); font-size: 0.85rem; }
        .run-meta dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
        nav.contents { border-top: 1px solid var(--rule); border-bottom: 1px solid var(--rule); margin: -1rem 0 2.6rem; }
        nav.contents ol {
          display: flex; flex-wrap: wrap; gap: 4px 18px; list-style: none; margin: 0; padding: 10px 0;
          font-size: 0.88rem;
        }
        nav.contents a { color: var(--muted); text-decoration: none; }
        nav.contents a:hover { color: var(--accent); text-decoration: underline; }
        section { margin: 0 0 2.8rem; }
        .intro { color: var(--muted); max-width: 72ch; font-size: 0.93rem; }
        .empty {
          color: var(--muted); font-style: italic; padding: 10px 14px; border: 1px dashed var(--rule);
          border-radius: 8px; background: var(--surface);
        }
        .banner {
          display: flex; gap: 16px; align-items: center; padding: 18px 22px; border-radius: 12px;
          border: 1px solid var(--rule); border-left-width: 8px; margin: 0 0 1rem;
        }
        .banner.passed { background: var(--good-bg); border-color: var(--good); }
        .banner.failed { background: var(--bad-bg); border-color: var(--bad); }
        .banner.notEvaluated { background: var(--neutral-bg); border-color: var(--neutral); }
        .banner .symbol { font-size: 2rem; line-height: 1; font-weight: 700; }
        .banner.passed .symbol { color: var(--good); }
        .banner.failed .symbol { color: var(--bad); }
        .banner.notEvaluated .symbol { color: var(--neutral); }
        .banner .headline { font-size: 1.45rem; font-weight: 700; margin: 0; line-height: 1.25; }
        .banner .counts { margin: 0.15rem 0 0; color: var(--fg); }
        ol.changes { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
        ol.changes li {
          display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: baseline; padding: 10px 14px;
          border: 1px solid var(--rule); border-radius: 10px;
        }
        ol.changes .subject { font-weight: 600; }
        ol.changes .metric { color: var(--muted); }
        ol.changes .difference {
          margin-left: auto; font-variant-numeric: tabular-nums; font-weight: 600; white-space: nowrap;
        }
        .badge {
          display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 0.8rem;
          font-weight: 600; white-space: nowrap; border: 1px solid transparent;
        }
        .badge.good { color: var(--good); background: var(--good-bg); border-color: var(--good); }
        .badge.bad { color: var(--bad); background: var(--bad-bg); border-color: var(--bad); }
        .badge.neutral { color: var(--neutral); background: var(--neutral-bg); border-color: var(--rule); }
        .badge.warning { color: var(--warn); background: var(--warn-bg); border-color: var(--warn); }
        .table-scroll { overflow-x: auto; margin: 0 0 1rem; max-width: 100%; }
        table { border-collapse: collapse; font-size: 0.9rem; min-width: 100%; }
        caption { text-align: left; color: var(--muted); font-size: 0.85rem; padding: 0 0 6px; }
        th, td { padding: 7px 12px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
        thead th {
          font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted);
          border-bottom: 2px solid var(--rule); white-space: nowrap;
        }
        tbody th { font-weight: 600; }
        th .label, td .label { display: block; }
        th .detail, td .detail { display: block; font-weight: 400; color: var(--muted); font-size: 0.85em; }
        .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td .note { display: block; color: var(--muted); font-size: 0.78em; }
        tbody tr:hover { background: var(--band); }
        figure.chart { margin: 0 0 1.6rem; }
        figcaption { font-weight: 600; font-size: 0.92rem; margin: 0 0 6px; }
        .chart-frame { overflow-x: auto; }
        svg { display: block; max-width: 100%; height: auto; font-family: var(--sans); }
        svg.wide { min-width: 520px; }
        svg text { fill: var(--fg); font-size: 12px; }
        svg .tick { fill: var(--muted); font-size: 11px; font-variant-numeric: tabular-nums; }
        svg .axis-title { font-size: 12px; font-weight: 600; }
        svg .legend { fill: var(--muted); font-size: 11px; }
        svg .value { font-size: 12px; font-variant-numeric: tabular-nums; }
        svg .axis-line { stroke: var(--muted); stroke-width: 1; }
        svg .grid { stroke: var(--rule); stroke-width: 1; }
        svg .zero { stroke: var(--fg); stroke-width: 1.5; stroke-dasharray: 5 3; }
        svg .band { fill: var(--band); }
        svg .whisker { stroke: var(--fg); stroke-width: 1.6; }
        svg .mark.positive { fill: var(--good); }
        svg .mark.negative { fill: var(--bad); }
        svg .mark.inconclusive { fill: var(--bg); stroke: var(--neutral); stroke-width: 2; }
        svg .mark.scatter { fill: var(--accent); stroke: var(--bg); stroke-width: 1; }
        svg .series { fill: none; stroke-width: 2; stroke-linejoin: round; }
        svg .series.train { stroke: var(--train); }
        svg .series.validation { stroke: var(--validation); stroke-dasharray: 6 4; }
        svg .point.train { fill: var(--train); }
        svg .point.validation { fill: var(--bg); stroke: var(--validation); stroke-width: 1.6; }
        svg .selected { stroke: var(--fg); stroke-width: 1.2; stroke-dasharray: 2 3; }
        svg .ring { fill: none; stroke: var(--fg); stroke-width: 1.5; }
        svg .heat { fill: var(--heat); }
        svg .heat-missing { fill: var(--surface); stroke: var(--rule); stroke-dasharray: 3 3; }
        svg .cell-value { font-size: 13px; font-weight: 600; font-variant-numeric: tabular-nums; }
        svg .cell-note { font-size: 10px; fill: var(--muted); }
        svg .strong { fill: var(--heat-strong-text); }
        details { margin: 6px 0 0; }
        summary { cursor: pointer; color: var(--muted); font-size: 0.85rem; }
        details[open] summary { margin-bottom: 8px; }
        .curves { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 720px), 1fr)); gap: 18px; }
        .curve { border: 1px solid var(--rule); border-radius: 12px; padding: 14px 16px 4px; }
        .curve h3 { margin: 0 0 2px; font-size: 0.98rem; overflow-wrap: anywhere; }
        .curve .stop { color: var(--muted); font-size: 0.85rem; margin: 0 0 8px; }
        .curve-charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 300px), 1fr)); gap: 10px 24px; }
        .curve figure.chart { margin-bottom: 0.6rem; }
        .curve figcaption { font-weight: 500; color: var(--muted); font-size: 0.82rem; }
        dl.provenance {
          display: grid; grid-template-columns: minmax(9rem, max-content) 1fr; gap: 0; margin: 0;
          border-top: 1px solid var(--rule); font-size: 0.9rem;
        }
        dl.provenance dt, dl.provenance dd { padding: 6px 12px 6px 0; border-bottom: 1px solid var(--rule); margin: 0; }
        dl.provenance dt { color: var(--muted); }
        footer { color: var(--muted); font-size: 0.8rem; border-top: 1px solid var(--rule); padding-top: 12px; }
        @media (max-width: 640px) {
          body { font-size: 14px; }
          main { padding: 18px 14px 40px; }
          h1 { font-size: 1.45rem; }
          .banner { padding: 14px 14px; gap: 12px; }
          .banner .headline { font-size: 1.2rem; }
          ol.changes .difference { margin-left: 0; }
          th, td { padding: 6px 8px; }
          td:not(.num), tbody th { min-width: 8.5rem; }
          dl.provenance { grid-template-columns: 1fr; }
          dl.provenance dt { border-bottom: none; padding-bottom: 0; }
        }
        @media print {
          :root {
            --bg: #ffffff; --fg: #000000; --muted: #444444; --rule: #bbbbbb; --surface: #ffffff;
            --band: #ffffff; --accent: #000000; --good: #0a5c22; --bad: #a0140c; --neutral: #444444;
            --warn: #6b4200; --train: #1d4f91; --validation: #b3400c; --heat: #1d4ed8;
            --heat-strong-text: #ffffff;
            --good-bg: #ffffff; --bad-bg: #ffffff; --neutral-bg: #ffffff; --warn-bg: #ffffff;
          }
          body { font-size: 11pt; background: none; }
          main { max-width: none; padding: 0; }
          nav.contents, summary { display: none; }
          .banner, .badge, .empty, .curve { background: none; }
          .table-scroll, .chart-frame { overflow: visible; }
          svg.wide { min-width: 0; }
          figure.chart, table, .curve, .banner, ol.changes li, dl.provenance { break-inside: avoid; }
          h2, h3 { break-after: avoid; }
          a { color: inherit; text-decoration: none; }
        }
        """
}
