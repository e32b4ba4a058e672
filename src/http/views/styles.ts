// The ACS pages' one stylesheet: compact enough that the code entry fits the smallest EMV challenge
// window (01: 250×400) without scrolling, widening per challengeWindowSize up to the full page (05).
export const ACS_CSS = [
  '*{box-sizing:border-box}html,body{margin:0;padding:0}',
  'body{font:14px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1d2330;background:#fff}',
  'main{margin:0 auto;padding:10px 12px;max-width:600px}',
  '.w01 main{max-width:250px;padding:6px 8px;font-size:12px}.w02 main{max-width:390px}.w03 main{max-width:500px}',
  '.w04 main{max-width:600px}.w05 main{max-width:640px;padding-top:4vh}',
  'header{display:flex;justify-content:space-between;align-items:center;border-bottom:2px solid #0b4f9c;padding-bottom:4px;margin-bottom:6px;font-weight:600;color:#0b4f9c}',
  'h1{font-size:1.1em;margin:4px 0}p{margin:4px 0}',
  '.txn{display:grid;grid-template-columns:auto 1fr;gap:0 8px;margin:6px 0;font-size:.9em;color:#4a5163}.txn dt{font-weight:600}.txn dd{margin:0}',
  '.notice{color:#a4000f;font-weight:600}.notice.ok{color:#1d6b2a}',
  'label{display:block;font-weight:600;margin:6px 0 2px}',
  'input[type=text]{width:100%;font-size:1.1em;padding:6px;border:1px solid #8a92a6;border-radius:4px}',
  'input[type=submit],button{font:inherit;cursor:pointer}',
  'input[type=submit]{display:block;width:100%;margin-top:8px;padding:8px;border:0;border-radius:4px;background:#0b4f9c;color:#fff;font-weight:700}',
  '.row{display:flex;gap:8px;margin-top:6px}.row form{flex:1}',
  '.row button{width:100%;padding:6px;border:1px solid #0b4f9c;border-radius:4px;background:#fff;color:#0b4f9c}',
  '.opts label{font-weight:400;display:flex;gap:6px;align-items:center;margin:3px 0}',
  '.foot{font-size:.8em;color:#6b7285;margin-top:6px}',
  '.issuer header{background:#5b1a6b;color:#fff;border:0;padding:6px 8px;border-radius:4px}.issuer input[type=submit]{background:#5b1a6b}',
  '.w01 .txn{display:none}@media (max-height:420px){main{padding-top:4px}.txn{display:none}}',
].join('');
