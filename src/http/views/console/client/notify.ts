// The console's notification page (SPEC §17), inside the console's frame: hands the fields the ACS or
// the 3DS Method page posted to the console, which must be of this same origin (postMessage's target).
const node = document.getElementById('m3ds-notify');
if (node && window.parent !== window) {
  try {
    const data = JSON.parse(node.textContent ?? '{}') as { kind?: string; fields?: Record<string, string> };
    window.parent.postMessage({ source: 'm3ds-console-notify', kind: data.kind, fields: data.fields ?? {} }, window.location.origin);
  } catch {
    // a page whose data cannot be read tells the console nothing; the console's timeout reports it
  }
}
