// The shop's HTML: the checkout page (loads globalpayments-3ds and the shop's script) and the two
// notification pages that run inside the library's iframes and hand the outcome to the parent window
// through the library's own handleMethodNotification / handleChallengeNotification.

export const LIBRARY_PATH = '/lib/globalpayments-3ds.js';
export const CHECKOUT_SCRIPT_PATH = '/checkout.js';

// EMV challengeWindowSize (width × height); 05 is the whole viewport. The library's own sizes swap
// width and height (its "250X400" makes a 400 px wide, 250 px tall frame), so the shop sizes a box
// and lets the library's full-size iframe fill it.
const CSS = [
  'body{margin:0;font:14px system-ui,sans-serif}main{padding:8px}',
  '#challenge-box{display:none}#challenge-box.open{display:block;position:fixed;top:0;left:0;background:#fff}',
  '#challenge{width:100%;height:100%}#challenge iframe{border:0;display:block}',
  '.size-01{width:250px;height:400px}.size-02{width:390px;height:400px}.size-03{width:500px;height:600px}',
  '.size-04{width:600px;height:400px}.size-05{width:100vw;height:100vh}',
].join('');

export function checkoutPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Checkout</title><style>${CSS}</style></head>
<body><main>
<h1>Browser Test Shop</h1>
<form id="pay-form">
<label>Card number <input id="card-number" autocomplete="off"></label>
<label>Challenge window <select id="window-size"><option>01</option><option>02</option><option>03</option><option>04</option><option selected>05</option></select></label>
<label><input type="checkbox" id="run-method" checked> run the 3DS Method</label>
<label><input type="checkbox" id="claim-method"> claim the method completed even when it did not run</label>
<label>Driver <select id="driver"><option value="library" selected>globalpayments-3ds</option><option value="native">page-native EMV form posts</option></select></label>
<button id="pay" type="submit">Pay</button>
</form>
<pre id="status"></pre>
</main>
<div id="challenge-box"><div id="challenge"></div></div>
<script src="${LIBRARY_PATH}"></script>
<script src="${CHECKOUT_SCRIPT_PATH}"></script>
</body></html>`;
}

/** JSON for an inline script: no "</script>", no HTML-significant characters. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A page loaded in the library's iframe that tells the parent (same origin) what arrived. */
export function notificationPage(kind: 'method' | 'challenge', data: unknown): string {
  const call = kind === 'method' ? 'handleMethodNotification' : 'handleChallengeNotification';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${kind} notification</title></head>
<body><p>${kind === 'method' ? 'Device check done.' : 'Authentication finished.'}</p>
<script src="${LIBRARY_PATH}"></script>
<script>GlobalPayments.ThreeDSecure.${call}(${scriptJson(data)});</script>
</body></html>`;
}
