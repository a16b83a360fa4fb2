/// The site's one stylesheet, served at `/static/app.css`.
enum Stylesheet {
    static let text = """
        :root {
          --ink: #1d2433; --muted: #5d6679; --line: #dfe3ea; --paper: #ffffff; --canvas: #f4f6f9;
          --accent: #0f62c9; --accent-ink: #ffffff; --accent-soft: #e6effb;
          --good: #137a3a; --good-soft: #e5f4ea; --bad: #b3261e; --bad-soft: #fbe9e7;
          --warn: #8a5a00; --warn-soft: #fff3d6; --radius: 8px;
          --font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
        }
        * { box-sizing: border-box; }
        html { font-size: 16px; }
        body { margin: 0; font-family: var(--font); color: var(--ink); background: var(--canvas); line-height: 1.45; }
        a { color: var(--accent); text-decoration: none; }
        a:hover { text-decoration: underline; }
        h1 { font-size: 1.6rem; margin: 0 0 0.25rem; }
        h2 { font-size: 1.15rem; margin: 0 0 0.75rem; }
        h3 { font-size: 1rem; margin: 0 0 0.5rem; }
        p { margin: 0 0 0.75rem; }
        code, pre, textarea.code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
          font-size: 0.9em; }
        .muted { color: var(--muted); }
        .small { font-size: 0.85rem; }

        .topbar { display: flex; align-items: center; gap: 1.5rem; padding: 0.6rem 1.5rem;
          background: var(--ink); color: #fff;
          flex-wrap: wrap; }
        .topbar a { color: #dfe6f3; }
        .brand { display: flex; align-items: center; gap: 0.5rem; font-weight: 700; font-size: 1.1rem;
          color: #fff !important; }
        .mainnav { display: flex; gap: 1.1rem; flex: 1; flex-wrap: wrap; }
        .mainnav a[aria-current="page"], .account a[aria-current="page"] { color: #fff; font-weight: 600;
          border-bottom: 2px solid #7fb0ff; }
        .account { display: flex; align-items: center; gap: 0.6rem; }
        .account form { margin: 0; }
        .role { font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.04em; background: #3a4560;
          padding: 0.1rem 0.45rem; border-radius: 999px; color: #dfe6f3; }
        main#main { max-width: 1280px; margin: 0 auto; padding: 1.5rem; }
        .footer { text-align: center; color: var(--muted); font-size: 0.8rem; padding: 2rem 0; }

        .page-head { display: flex; align-items: flex-end; justify-content: space-between; gap: 1rem; flex-wrap: wrap;
          margin-bottom: 1.25rem; }
        .page-head .actions { display: flex; gap: 0.5rem; flex-wrap: wrap; }
        .card { background: var(--paper); border: 1px solid var(--line); border-radius: var(--radius);
          padding: 1.1rem 1.25rem;
          margin-bottom: 1.25rem; }
        .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 1.25rem; }
        .grid .card { margin: 0; }
        .widget.wide { grid-column: 1 / -1; }
        .widget h2 { display: flex; justify-content: space-between; gap: 0.5rem; }
        .widget svg { display: block; width: 100%; height: auto; }
        .editor-row { display: grid; grid-template-columns: minmax(260px, 1fr) 2fr; gap: 1.25rem; align-items: start; }
        .editor-row .fields { grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); }
        .actions { display: flex; gap: 0.5rem; flex-wrap: wrap; }
        .empty { text-align: center; padding: 2.5rem 1rem; color: var(--muted); }
        .empty h2 { color: var(--ink); }

        .button, button { display: inline-flex; align-items: center; gap: 0.35rem; font: inherit; font-weight: 600;
          padding: 0.45rem 0.9rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent);
          color: var(--accent-ink); cursor: pointer; text-decoration: none !important; }
        .button.secondary, button.secondary { background: var(--paper); color: var(--accent); }
        .button.danger, button.danger { background: var(--paper); color: var(--bad); border-color: var(--bad); }
        button.link { background: none; border: none; color: #dfe6f3; padding: 0; font-weight: 400; }
        button:disabled { opacity: 0.55; cursor: default; }
        .inline { display: inline; margin: 0; }

        table { width: 100%; border-collapse: collapse; font-size: 0.92rem; }
        th, td { text-align: left; padding: 0.5rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.03em; color: var(--muted);
          white-space: nowrap; }
        td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
        tr:hover td { background: #fafbfd; }
        .table-wrap { overflow-x: auto; }
        th a { color: var(--muted); }
        th a[aria-sort] { color: var(--ink); }
        td.null { color: #a0a7b4; font-style: italic; }

        form.stack { display: grid; gap: 0.9rem; max-width: 680px; }
        form.row { display: flex; gap: 0.6rem; align-items: flex-end; flex-wrap: wrap; }
        label { display: grid; gap: 0.25rem; font-weight: 600; font-size: 0.9rem; }
        label.check { display: flex; align-items: center; gap: 0.4rem; font-weight: 400; }
        input, select, textarea { font: inherit; padding: 0.45rem 0.6rem; border: 1px solid #c4cad5; border-radius: 6px;
          background: #fff; color: var(--ink); min-width: 0; }
        input:focus, select:focus, textarea:focus, button:focus, a:focus { outline: 3px solid #9cc2ff;
          outline-offset: 1px; }
        textarea { min-height: 6rem; }
        .hint { font-weight: 400; color: var(--muted); font-size: 0.82rem; }
        .field-error { color: var(--bad); font-weight: 600; font-size: 0.85rem; }
        [aria-invalid="true"] { border-color: var(--bad); background: var(--bad-soft); }
        fieldset { border: 1px solid var(--line); border-radius: var(--radius); padding: 0.9rem 1rem;
          display: grid; gap: 0.8rem; }
        legend { font-weight: 700; padding: 0 0.3rem; }
        .fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 0.8rem; }

        .notice { padding: 0.7rem 1rem; border-radius: var(--radius); margin-bottom: 1rem; font-weight: 600; }
        .notice-success { background: var(--good-soft); color: var(--good); }
        .notice-error { background: var(--bad-soft); color: var(--bad); }
        .badge { display: inline-block; padding: 0.1rem 0.55rem; border-radius: 999px; font-size: 0.78rem;
          font-weight: 700;
          background: #eef0f4; color: var(--muted); }
        .badge.succeeded { background: var(--good-soft); color: var(--good); }
        .badge.failed { background: var(--bad-soft); color: var(--bad); }
        .badge.running, .badge.queued { background: var(--accent-soft); color: var(--accent); }
        .badge.cancelled { background: var(--warn-soft); color: var(--warn); }
        .progress { height: 0.5rem; background: var(--accent-soft); border-radius: 999px; overflow: hidden;
          margin: 0.5rem 0; }
        .progress span { display: block; height: 100%; width: 35%; background: var(--accent); border-radius: 999px;
          animation: slide 1.2s ease-in-out infinite; }
        @keyframes slide { from { margin-left: -35%; } to { margin-left: 100%; } }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.35rem 1rem; margin: 0; }
        dl.facts dt { color: var(--muted); }
        dl.facts dd { margin: 0; }
        .pager { display: flex; justify-content: space-between; align-items: center; margin-top: 0.75rem; }

        .kpi-value { font-size: 2.3rem; font-weight: 700; }
        .kpi-change.up { color: var(--good); }
        .kpi-change.down { color: var(--bad); }

        .login { max-width: 380px; margin: 10vh auto; }
        .login .brand { color: var(--ink) !important; justify-content: center; font-size: 1.4rem; margin-bottom: 1rem; }
        .error-page { max-width: 560px; margin: 12vh auto; text-align: center; padding: 1rem; }
        .error-code { font-size: 3.5rem; font-weight: 800; color: var(--accent); margin: 0; }

        @media (max-width: 640px) {
          main#main { padding: 1rem 0.75rem; }
          .topbar { padding: 0.6rem 0.75rem; gap: 0.6rem; }
          .mainnav { order: 3; width: 100%; }
          .grid, .editor-row { grid-template-columns: 1fr; }
          h1 { font-size: 1.35rem; }
          th, td { padding: 0.4rem; }
          .hide-narrow { display: none; }
        }
        """
}
