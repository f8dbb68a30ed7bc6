/**
 * The status page's only style sheet and script, inlined into every page under the
 * response's CSP nonce: no separate front-end build, nothing fetched from elsewhere.
 */

/** Colours carry meaning only together with a glyph and text, so nothing relies on hue. */
export const CSS = `
:root{color-scheme:light;--fg:#1f2328;--muted:#59636e;--bg:#fff;--line:#d1d9e0;--link:#0550ae;
--focus:#bf3989;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
*{box-sizing:border-box}
body{margin:0;color:var(--fg);background:var(--bg)}
a{color:var(--link)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{
outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}
.skip:focus{left:.5rem;z-index:2}
header{border-bottom:1px solid var(--line);padding:.5rem 1rem;display:flex;flex-wrap:wrap;
gap:.25rem 1rem;align-items:center}
header .brand{font-weight:700;text-decoration:none;color:var(--fg)}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem .9rem;margin:0;padding:0}
nav a{padding:.35rem .1rem;display:inline-block}
nav a[aria-current=page]{font-weight:700}
main{padding:1rem;max-width:80rem}
h1{font-size:1.4rem;margin:.2rem 0 .8rem}h2{font-size:1.15rem;margin:1.4rem 0 .5rem}
.muted{color:var(--muted)}
.chips{display:flex;flex-wrap:wrap;gap:.35rem;padding:0;margin:.3rem 0;list-style:none}
.chip{border-radius:1rem;padding:.1rem .6rem;font-size:.85rem;white-space:nowrap}
.s-complete{background:#1a7f37;color:#fff}.s-no_data_expected{background:#d1d9e0;color:#1f2328}
.s-running{background:#0969da;color:#fff}.s-retrying{background:#9a6700;color:#fff}
.s-failed{background:#cf222e;color:#fff}.s-pending{background:#fff;color:#1f2328;
box-shadow:inset 0 0 0 2px #818b98}.s-skipped{background:#8250df;color:#fff}
.s-other{background:#59636e;color:#fff}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(17rem,1fr));gap:.8rem}
.card{border:1px solid var(--line);border-radius:.5rem;padding:.7rem .9rem}
.card h2,.card h3{margin:0 0 .3rem;font-size:1.05rem;overflow-wrap:anywhere}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse}
th,td{padding:.3rem .5rem;text-align:left;vertical-align:top;border-bottom:1px solid var(--line)}
td{overflow-wrap:break-word}
table.grid th,table.grid td{padding:2px;border:0;text-align:center}
table.grid th[scope=row]{position:sticky;left:0;background:var(--bg);text-align:right;
padding-right:.5rem;font-variant-numeric:tabular-nums;white-space:nowrap}
table.grid thead th{font-size:.8rem;font-weight:600;max-width:6rem;overflow-wrap:anywhere}
a.cell{display:flex;align-items:center;justify-content:center;min-width:2.75rem;height:2.75rem;
border-radius:.3rem;text-decoration:none;font-size:1.1rem}
.empty{display:block;min-width:2.75rem;height:2.75rem;color:var(--muted);line-height:2.75rem}
.pager{display:flex;gap:1rem;margin:.6rem 0}
form.inline{display:inline}
button,.button{font:inherit;padding:.45rem .9rem;border-radius:.4rem;border:1px solid #1f2328;
background:#f6f8fa;color:var(--fg);cursor:pointer;min-height:2.75rem;white-space:nowrap}
button.primary{background:#1f883d;color:#fff;border-color:#1a7f37}
label{display:block;font-weight:600;margin:.4rem 0 .2rem}
input,select{font:inherit;padding:.4rem;border:1px solid #818b98;border-radius:.3rem;
min-height:2.75rem;max-width:100%}
.filters{display:flex;flex-wrap:wrap;gap:.6rem 1rem;align-items:flex-end;margin-bottom:.8rem}
.filters label{margin:0 0 .2rem}
progress{width:12rem;max-width:60vw;height:1rem}
.error{color:#a40e26}
code{overflow-wrap:anywhere}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;padding:.5rem;margin:.2rem 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dl.facts dt{font-weight:600}dl.facts dd{margin:0;overflow-wrap:anywhere}
.updated{font-size:.8rem}
@media (max-width:40rem){main{padding:.6rem}th,td{padding:.25rem}
table.stack thead{display:none}table.stack tr{display:block;border-bottom:1px solid var(--line);
padding:.4rem 0}table.stack td{display:block;border:0;padding:.1rem 0}
table.stack td[data-label]::before{content:attr(data-label) ": ";font-weight:600}}
`;

/**
 * Refreshes `#live` every few seconds without reloading the page: fetches the same URL as a
 * fragment (with the last ETag: 304 when nothing changed), swaps it in, and gives focus back
 * to the element that had it (same id).
 */
export const SCRIPT = `(() => {
  const live = document.getElementById("live");
  if (!live) return;
  const every = Number(live.dataset.refreshMs || "3000");
  const stamp = document.getElementById("updated");
  let busy = false;
  let etag = "";
  const tick = async () => {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const headers = { "x-dataspine-fragment": "1" };
      if (etag) headers["If-None-Match"] = etag;
      const res = await fetch(location.href, { headers, credentials: "same-origin", cache: "no-store" });
      if (res.status === 401) {
        if (stamp) stamp.textContent = "Signed out: reload to sign in again.";
        clearInterval(timer);
        return;
      }
      if (res.status !== 304) {
        if (!res.ok) return;
        const html = await res.text();
        etag = res.headers.get("ETag") || "";
        const focusedId = live.contains(document.activeElement) ? document.activeElement.id : "";
        live.innerHTML = html;
        if (focusedId) document.getElementById(focusedId)?.focus({ preventScroll: true });
      }
      live.dataset.refreshes = String(Number(live.dataset.refreshes || "0") + 1);
      if (stamp) stamp.textContent = "Updated " + new Date().toLocaleTimeString();
    } catch {
      if (stamp) stamp.textContent = "Offline: retrying.";
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(tick, every);
})();`;
