// The shop's checkout script (runs in the browser). The default driver is globalpayments-3ds: its
// checkVersion runs the 3DS Method in a hidden iframe and waits for the method notification, its
// initiateAuthentication opens the challenge iframe (POST creq to the acsURL) and waits for the
// challenge notification. The "native" driver posts creq and threeDSSessionData itself, because the
// library never sends threeDSSessionData. The outcome lands in window.checkoutResult for the test.
(() => {
  const T = window.GlobalPayments.ThreeDSecure;
  const $ = (id) => document.getElementById(id);
  const box = $('challenge-box');
  const origin = window.location.origin;

  // Every iframe the page gets, with how it was shown, so a test can tell the hidden method frame
  // from the visible challenge frame after the library has removed them.
  window.checkoutFrames = [];
  new MutationObserver((records) => {
    for (const r of records) {
      for (const n of r.addedNodes) {
        if (n.tagName === 'IFRAME') window.checkoutFrames.push({ display: getComputedStyle(n).display, inChallengeBox: box.contains(n) });
      }
    }
  }).observe(document.body, { childList: true, subtree: true });

  function report(result) {
    window.checkoutResult = result;
    $('status').textContent = JSON.stringify(result, null, 1);
  }

  function openBox(size) {
    box.className = `open size-${size}`;
  }

  function closeBox() {
    box.className = '';
    $('challenge').textContent = '';
  }

  const card = (pan) => ({ number: pan, expMonth: '11', expYear: '2029', cardHolderName: 'Ada Tester' });

  async function payWithLibrary(pan, size, runMethod, claimMethod) {
    const version = await T.checkVersion('/api/check-version', {
      card: { number: pan },
      methodNotificationUrl: `${origin}/3ds/method-notification`,
      methodWindow: { timeout: 15000 },
      runMethod,
    });
    // checkVersion resolves after the method notification when there was a method URL.
    const methodRan = Boolean(version.methodUrl);
    let completion = T.MethodUrlCompletion.Unavailable;
    if (methodRan || claimMethod) completion = T.MethodUrlCompletion.Yes;
    else if (!runMethod) completion = T.MethodUrlCompletion.No;
    openBox(size);
    const auth = await T.initiateAuthentication('/api/initiate-authentication', {
      serverTransactionId: version.serverTransactionId,
      methodUrlComplete: completion,
      challengeNotificationUrl: `${origin}/3ds/challenge-notification`,
      challengeWindow: { windowSize: T.ChallengeWindowSize.FullScreen, displayMode: 'embedded', target: '#challenge' },
      card: card(pan),
      windowSizeCode: size,
    });
    closeBox();
    const response = auth.challenge?.response;
    return {
      serverTransactionId: auth.serverTransactionId,
      methodRan,
      status: auth.status,
      emv: auth.emv,
      challenged: Boolean(response),
      event: response?.event,
      cres: response?.data,
    };
  }

  async function postJson(path, body) {
    const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.json();
    if (!res.ok) throw new Error(JSON.stringify(json));
    return json;
  }

  function base64url(text) {
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  async function payNative(pan, size) {
    const version = await postJson('/api/check-version', { card: { number: pan }, runMethod: false });
    const auth = await postJson('/api/initiate-authentication', {
      serverTransactionId: version.serverTransactionId,
      methodUrlComplete: 'UNAVAILABLE',
      challengeNotificationUrl: `${origin}/3ds/challenge-notification`,
      card: card(pan),
      browserData: T.getBrowserData(),
      windowSizeCode: size,
    });
    if (!auth.challenge) return { serverTransactionId: auth.serverTransactionId, status: auth.status, emv: auth.emv, challenged: false };
    const sessionData = base64url(JSON.stringify({ orderId: 'ORD-42', basket: 'a+b/c' }));
    openBox(size);
    const message = await new Promise((resolve) => {
      window.addEventListener('message', function onMessage(e) {
        if (e.origin !== origin || !e.data || e.data.event !== 'challengeNotification') return;
        window.removeEventListener('message', onMessage);
        resolve(e.data);
      });
      const iframe = document.createElement('iframe');
      iframe.name = 'acs-native';
      iframe.width = '100%';
      iframe.height = '100%';
      $('challenge').appendChild(iframe);
      const form = document.createElement('form');
      form.method = 'POST';
      form.action = auth.challenge.requestUrl;
      form.target = iframe.name;
      for (const [name, value] of [
        ['creq', auth.challenge.encodedChallengeRequest],
        ['threeDSSessionData', sessionData],
      ]) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value;
        form.appendChild(input);
      }
      document.body.appendChild(form);
      form.submit();
      form.remove();
    });
    closeBox();
    return {
      serverTransactionId: auth.serverTransactionId,
      status: auth.status,
      emv: auth.emv,
      challenged: true,
      event: message.event,
      cres: message.data,
      sessionData,
    };
  }

  $('pay-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const pan = $('card-number').value.replace(/\s+/g, '');
    const size = $('window-size').value;
    const run =
      $('driver').value === 'native' ? payNative(pan, size) : payWithLibrary(pan, size, $('run-method').checked, $('claim-method').checked);
    run.then(report, (err) => report({ error: err?.reasons ?? String(err?.message ?? err) }));
  });
})();
