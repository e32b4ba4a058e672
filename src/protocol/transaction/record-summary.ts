// A transaction record as the admin API shows it (SPEC §17): where the transaction stands and what it
// decided, without what is secret or bulky (the app flow's keys, the stored answer). Times in ISO form.
import type { TransactionRecord } from './record.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function recordSummary(rec: TransactionRecord, version: number): Record<string, unknown> {
  const a = rec.auth;
  const ch = rec.challenge;
  const r = rec.results;
  return {
    threeDSServerTransID: rec.threeDSServerTransID,
    version,
    stage: rec.stage,
    final: rec.final === true,
    createdAt: iso(rec.createdAt),
    updatedAt: iso(rec.updatedAt),
    maskedPan: rec.maskedPan,
    scheme: rec.scheme,
    scenario: rec.scenarioKey,
    threeDSMethodSeenAt: iso(rec.threeDSMethodSeenAt),
    ...(a && {
      authentication: {
        flow: a.flow,
        messageVersion: a.messageVersion,
        messageCategory: a.messageCategory,
        acsTransID: a.acsTransID,
        dsTransID: a.dsTransID,
        acsOperatorID: a.acsOperatorID,
        transStatus: a.transStatus,
        transStatusReason: a.transStatusReason,
        eci: a.eci,
        notificationURL: a.notificationURL,
        resultsURL: a.resultsURL,
        authenticatedAt: iso(a.authenticatedAt),
        ...(a.dsError && { dsError: a.dsError }),
      },
    }),
    ...(ch && {
      challenge: {
        ui: ch.ui,
        status: ch.status,
        failures: ch.failures,
        maxAttempts: ch.maxAttempts,
        resends: ch.resends,
        interactions: ch.interactions,
        deadline: iso(ch.deadline),
        completion: ch.completion,
        outcome: ch.outcome,
      },
    }),
    decoupledDueAt: iso(rec.decoupledDueAt),
    ...(r && { results: { transStatus: r.request.transStatus, source: r.source, recordedAt: iso(r.recordedAt) } }),
    ...(rec.app && { app: { sdkTransID: rec.app.sdkTransID, sdkAppID: rec.app.sdkAppID } }),
  };
}
