// The Java SDK runs both the integration test and the in-process check make: cards of the default
// scenario table (Visa and Mastercard ranges), both encryptions, and the paths worth a second opinion
// (wrong code then right, cancel, no sdkReferenceNumber, the other key shapes, version 2.1.0).

export interface JavaRun {
  name: string;
  /** Arguments after the base URL: pan, enc, actions, options. */
  args: string[];
  /** Expected exit status (0 unless the run checks that the SDK notices a failure). */
  exit?: number;
}

const ENCS = ['A128CBC-HS256', 'A128GCM'] as const;

export const JAVA_RUNS: readonly JavaRun[] = [
  ...ENCS.flatMap((enc) => [
    { name: `text 4001 ${enc}`, args: ['4000000000004001', enc] },
    { name: `OOB 4010 ${enc}`, args: ['5100000000004010', enc] },
  ]),
  { name: 'single select 4008 A128GCM', args: ['4000000000004008', 'A128GCM'] },
  { name: 'multi select 4009 A128CBC-HS256', args: ['4000000000004009', 'A128CBC-HS256'] },
  { name: 'HTML 4011 A128GCM', args: ['4000000000004011', 'A128GCM'] },
  { name: 'wrong code, resend, right code', args: ['4000000000004001', 'A128GCM', 'code:0000', 'resend', 'code:1234'] },
  { name: 'three wrong codes end N', args: ['4000000000004001', 'A128CBC-HS256', 'code:1', 'code:2', 'code:3', '--expect=N'] },
  { name: 'cancel ends N, results U', args: ['4000000000004011', 'A128CBC-HS256', 'cancel', '--expect=N', '--expect-final=U'] },
  { name: 'no sdkReferenceNumber (default per enc), flat key', args: ['4000000000004001', 'A128GCM', '--no-ref', '--key-shape=flat'] },
  {
    name: 'no sdkReferenceNumber, top-level key, 2.1.0',
    args: ['5100000000004010', 'A128CBC-HS256', '--no-ref', '--key-shape=top', '--version=2.1.0'],
  },
  // The SDK must be able to fail: a wrong code leaves the challenge open (exit 2), a frictionless card
  // has no challenge (exit 2), a key derived with another PartyVInfo gets Erro 302 (exit 3).
  { name: 'wrong code only: not complete', args: ['4000000000004001', 'A128GCM', '--otp=0000'], exit: 2 },
  { name: 'wrong KDF input: Erro 302', args: ['4000000000004001', 'A128CBC-HS256', '--kdf-ref=3DS_LOA_SDK_OTHER'], exit: 3 },
  { name: 'frictionless card: no challenge', args: ['4000000000004000', 'A128GCM'], exit: 2 },
];
