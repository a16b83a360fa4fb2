/// The site's one script, served at `/static/app.js`: every page works without it; it adds
/// confirmations, live sync progress and a dashboard's automatic refresh.
enum Script {
    static let text = """
        "use strict";
        document.addEventListener("DOMContentLoaded", () => {
          for (const form of document.querySelectorAll("form[data-confirm]")) {
            form.addEventListener("submit", (event) => {
              if (!window.confirm(form.dataset.confirm)) event.preventDefault();
            });
          }
          for (const select of document.querySelectorAll("select[data-submit]")) {
            select.addEventListener("change", () => select.form.submit());
          }
          const progress = document.querySelector("[data-sync-run]");
          if (progress) followRun(progress);
          const refresh = document.querySelector("[data-refresh-seconds]");
          if (refresh) {
            const seconds = Number(refresh.dataset.refreshSeconds);
            if (seconds > 0) setTimeout(() => window.location.reload(), seconds * 1000);
          }
        });

        async function followRun(element) {
          const id = element.dataset.syncRun;
          const set = (name, value) => {
            const field = element.querySelector(`[data-field="${name}"]`);
            if (field) field.textContent = value;
          };
          for (;;) {
            let run;
            try {
              const reply = await fetch(`/api/v1/syncs/${id}`, { credentials: "same-origin" });
              if (!reply.ok) return;
              run = await reply.json();
            } catch (error) {
              return;
            }
            set("status", run.status);
            set("phase", run.phase);
            set("recordsRead", run.recordsRead.toLocaleString("en-US"));
            set("recordsWritten", run.recordsWritten.toLocaleString("en-US"));
            set("pages", run.pages.toLocaleString("en-US"));
            const rate = run.recordsPerSecond == null ? null : Math.round(run.recordsPerSecond);
            set("rate", rate == null ? "–" : `${rate.toLocaleString("en-US")}/s`);
            set("elapsed", run.elapsedSeconds == null ? "–" : `${run.elapsedSeconds.toFixed(1)} s`);
            const badge = element.querySelector(".badge");
            if (badge) badge.className = `badge ${run.status}`;
            if (run.status !== "queued" && run.status !== "running") {
              element.dataset.finished = run.status;
              const bar = element.querySelector(".progress");
              if (bar) bar.remove();
              if (run.error) set("error", run.error);
              return;
            }
            await new Promise((resolve) => setTimeout(resolve, 700));
          }
        }
        """
}
