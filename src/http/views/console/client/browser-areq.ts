// The AReq of the console's browser flow (SPEC §17): what a merchant's page and backend send for the card
// being run, with this page's notificationURL and its browser's real information, and the options of the
// run form (message version, challenge indicator, challenge window size).
import { byId } from './dom.js';
import type { CardRow, Json } from './state.js';

/** Where the ACS posts the final CRes and the 3DS Method page reports back: the console's notification page. */
export const NOTIFY_PATH = '/console/notify';

export function browserAReq(pan: string, id: string, compInd: string, row: CardRow | undefined): Json {
  const version = byId<HTMLSelectElement>('o-version').value;
  const decoupled = row?.scenario.decoupled === true;
  return {
    threeDSServerTransID: id,
    deviceChannel: '02',
    messageCategory: '01',
    preferredProtocolVersion: version,
    enforcePreferredProtocolVersion: false,
    threeDSCompInd: compInd,
    threeDSRequestor: {
      threeDSRequestorAuthenticationInd: '01',
      threeDSRequestorChallengeInd: byId<HTMLSelectElement>('o-ind').value,
      ...(decoupled && version !== '2.1.0' && { threeDSRequestorDecReqInd: 'Y', threeDSRequestorDecMaxTime: '00010' }),
    },
    cardholderAccount: { acctType: '02', cardExpiryDate: '2911', acctNumber: pan },
    cardholder: { cardholderName: 'QA Console', email: 'qa.console@example.test', billAddrCountry: '756' },
    purchase: {
      purchaseAmount: 1000,
      purchaseCurrency: '978',
      purchaseExponent: 2,
      purchaseDate: new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14),
      transType: '01',
    },
    acquirer: { acquirerBin: '400551', acquirerMerchantId: 'QA-CONSOLE' },
    merchant: {
      mcc: '5411',
      merchantCountryCode: '756',
      threeDSRequestorID: 'qa-console',
      threeDSRequestorName: 'QA console',
      merchantName: 'QA console',
      notificationURL: `${window.location.origin}${NOTIFY_PATH}`,
    },
    browserInformation: {
      browserAcceptHeader: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      browserIP: '192.0.2.10',
      browserLanguage: navigator.language || 'en',
      browserColorDepth: String(Math.min(48, window.screen.colorDepth || 24)),
      browserScreenHeight: window.screen.height,
      browserScreenWidth: window.screen.width,
      browserTZ: new Date().getTimezoneOffset(),
      browserUserAgent: navigator.userAgent.slice(0, 2048),
      challengeWindowSize: byId<HTMLSelectElement>('o-size').value,
      browserJavaEnabled: false,
      browserJavascriptEnabled: true,
    },
  };
}
