// The Directory Server's Erro (scenario 4012). A real 3DS Server API relays it as a failed call: the
// envelope carries the DS's errorComponent ("D") and errorCode, and the HTTP status is 502 Bad Gateway
// (the upstream DS failed, the client's request was fine; it is neither a 4xx the client should fix
// nor a 500 of this server). The scenario may configure another errorCode/description, so the spec of
// this one error is adjusted per instance; everything else about it comes from the registry entry.
// The ACS error card (4018, component A) is the same failure one hop further: the DS relays the ACS's
// Erro in place of an ARes.
import { AppError, ERRORS, type ErrorIds, type ErrorSpec } from '../../errors.js';

export class DirectoryServerError extends AppError {
  /** The registry's DS_ERROR with the errorCode and errorDescription the DS answered. */
  override readonly spec: ErrorSpec;

  constructor(ds: { errorCode: string; errorComponent: string; errorDescription: string }, ids: ErrorIds, messageVersion: string) {
    const who = ds.errorComponent === 'A' ? 'the ACS' : 'the Directory Server';
    super('DS_ERROR', `${who} answered Erro ${ds.errorCode} (component ${ds.errorComponent})`, ids, {
      errorComponent: ds.errorComponent,
      errorMessageType: 'AReq',
      messageVersion,
    });
    this.spec = { ...ERRORS.DS_ERROR, emvCode: ds.errorCode, description: ds.errorDescription };
  }
}
