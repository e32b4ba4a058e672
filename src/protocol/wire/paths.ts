// Paths of the endpoints whose URLs the protocol hands out (SPEC §3): the route adapters mount these,
// the protocol builds `{base}{path}` from them, so the two can never disagree.
export const PATHS = {
  version: '/3ds/version',
  authenticate: '/3ds/authenticate',
  results: '/3ds/results',
  final: '/3ds/final',
  /** The acsURL of browser challenges (the existing mock's path). */
  acsChallenge: '/processor/mock/acs/trigger-otp',
  /** Where the challenge page's forms post (the existing mock's completion contract). */
  acsSubmit: '/processor/mock/acs/verify-otp',
  /** The threeDSMethodURL. */
  threeDSMethod: '/processor/mock/acs/3ds-method',
  /** The acsURL of app challenges. */
  appChallenge: '/challenge',
} as const;
