// POST /3ds/authenticate (SPEC §3.2, §4): AReq in, the flow decided by the scenario table, ARes out.
// The record is written before the answer leaves (create when no version call opened it, else a
// compare-and-set that refuses if another request authenticated it first). A repeat with the same body
// gets the first answer again, rendered from the facts the record keeps and the repeat's own AReq
// (ares-builder.ts); a different body for the same ID gets Erro 305 with 409.
import { randomUUID } from 'node:crypto';
import { AppError } from '../../../errors.js';
import { maskPan } from '../../../logger.js';
import { mutate, StoreConflictError, type Versioned } from '../../../store/store.js';
import type { AppChallengePrepared } from '../../app-hook.js';
import type { ProtocolCore, RequestContext } from '../../core.js';
import { configTables } from '../../rules/config-tables.js';
import { scenarioTable } from '../../rules/scenario-overrides.js';
import { challengePreference, decide, type ScenarioSelector, selectScenario } from '../../rules/scenarios.js';
import { negotiateVersion } from '../../rules/version-negotiation.js';
import { maxMessageExtensions } from '../../rules/version-values.js';
import { openChallenge, type UiSpec, uiSpec } from '../../transaction/challenge-machine.js';
import { loadRecord, loadVersioned } from '../../transaction/lifecycle.js';
import { type AuthState, isWholeAnswer, openedRecord, type TransactionRecord } from '../../transaction/record.js';
import { traceAuthentication } from '../../transaction/trail-notes.js';
import { DirectoryServerError } from '../../wire/ds-error.js';
import { canonicalHash } from '../../wire/encoding.js';
import type { AuthenticateResponse } from '../../wire/messages.js';
import { PATHS } from '../../wire/paths.js';
import { type ParsedAReq, parseAReq } from './areq.js';
import { buildAnswer, renderAnswer, storedAnswer, storedFacts, withAcctNumber } from './ares-builder.js';

export async function authenticateCall(core: ProtocolCore, body: unknown, ctx: RequestContext): Promise<AuthenticateResponse> {
  const areq = parseAReq(body);
  const id = areq.threeDSServerTransID;
  const ids = { threeDSServerTransID: id };
  const config = core.config();
  const d = configTables(config);
  const header = scenarioHeader(ctx, config.protocol.scenarioHeaderEnabled);
  // The header is part of the request: a retry sends it again, another scenario is another request.
  const hash = header === undefined ? canonicalHash(body) : canonicalHash({ body, 'X-Mock-Scenario': header.value });
  const scenario = selectScenario(scenarioTable(core), areq.pan, { header, extension: areq.scenarioExtension }, ids);

  // A record exists before authenticate only when a version call opened it (requireVersionCall, or a
  // card with a 3DS Method) or on a repeat. Otherwise: create first, read only on conflict (store()),
  // which spares the hot path a store round trip that can only say "absent" (DESIGN §4). App AReqs read
  // first all the same: a repeat must not pay for a new key and signature before it finds the record.
  const mayExist = config.protocol.requireVersionCall || scenario.scenario.threeDSMethod === true || areq.sdk !== undefined;
  const read = mayExist ? await loadVersioned(core, id) : null;
  const current = read?.value ?? null;
  if (current?.auth) return repeat(core, current, hash, areq);
  if (!current && config.protocol.requireVersionCall) {
    throw new AppError('TRANSACTION_NOT_FOUND', 'threeDSServerTransID: no version call opened this transaction', ids, {
      errorMessageType: 'AReq',
    });
  }
  // A refusal of this request's checks: when the record was not read first, a repeat of an authenticated
  // transaction still gets its stored answer or the 409 (SPEC §3.2), whatever the checks say now (a
  // different card on the same ID, a range removed by a reload).
  const refuse = async (err: AppError): Promise<AuthenticateResponse> => {
    if (!mayExist) {
      const prior = await loadRecord(core, id);
      if (prior?.auth) return repeat(core, prior, hash, areq);
    }
    throw err;
  };
  const match = d.ranges.lookup(areq.pan);
  if (!match)
    return refuse(
      new AppError('TRANSACTION_DATA_INVALID', 'acctNumber: the card is in no card range (not enrolled)', ids, {
        errorMessageType: 'AReq',
      }),
    );
  let messageVersion: string;
  try {
    messageVersion = negotiateVersion(
      {
        supported: config.protocol.supportedVersions,
        rangeStart: match.startVersion,
        rangeEnd: match.endVersion,
        ...(areq.preferredProtocolVersion !== undefined && { preferred: areq.preferredProtocolVersion }),
        enforce: areq.enforcePreferredProtocolVersion,
      },
      ids,
    );
  } catch (err) {
    if (err instanceof AppError) return refuse(err);
    throw err;
  }
  const extensions = areq.messageExtension?.length ?? 0;
  if (extensions > maxMessageExtensions(messageVersion)) {
    return refuse(
      new AppError(
        'INVALID_FORMAT',
        `messageExtension: at most ${maxMessageExtensions(messageVersion)} entries in ${messageVersion}`,
        ids,
        {
          errorMessageType: 'AReq',
          messageVersion,
        },
      ),
    );
  }
  const decision = decide({
    scenario: scenario.scenario,
    preference: challengePreference(areq.challengeInds),
    flow: areq.flow,
    messageVersion,
    ...(areq.threeDSCompInd !== undefined && { threeDSCompInd: areq.threeDSCompInd }),
    ...(areq.decReqInd !== undefined && { decReqInd: areq.decReqInd }),
    methodSeen: current?.threeDSMethodSeenAt !== undefined,
    slowResponseMs: config.protocol.slowResponseMs,
  });
  const now = core.now();
  const acsTransID = randomUUID();
  const dsTransID = randomUUID();
  const ui: UiSpec | undefined = decision.challenge ? uiSpec(decision.challenge) : undefined;
  const prepared = await prepareApp(core, areq, ui, {
    acsTransID,
    messageVersion,
    acsReferenceNumber: decision.acsReferenceNumber,
    ctx,
    withAcsURL: decision.broken !== 'no-acs-url',
  });
  const answer =
    decision.kind === 'ares'
      ? buildAnswer({
          areq,
          decision,
          ...(ui && { ui }),
          scheme: match.scheme,
          messageVersion,
          acsTransID,
          dsTransID,
          baseUrl: ctx.baseUrl,
          secret: config.protocol.authValueSecret,
          now,
          ...(prepared && { acsSignedContent: prepared.acsSignedContent }),
        })
      : undefined;

  const st = decision.transStatus;
  const stage: TransactionRecord['stage'] =
    decision.kind === 'ds-error' ? 'ds-error' : st === 'C' ? 'challenge' : st === 'D' ? 'decoupled' : 'frictionless';
  const auth: AuthState = {
    requestHash: hash,
    flow: areq.flow,
    messageVersion,
    messageCategory: areq.messageCategory,
    acsTransID,
    dsTransID,
    acsOperatorID: decision.acsOperatorID,
    acsReferenceNumber: decision.acsReferenceNumber,
    ...(areq.notificationURL !== undefined && { notificationURL: areq.notificationURL }),
    ...(areq.resultsURL !== undefined && { resultsURL: areq.resultsURL }),
    ...(areq.challengeWindowSize !== undefined && { challengeWindowSize: areq.challengeWindowSize }),
    ...(answer && { response: storedAnswer(answer.facts, areq) }),
    ...(decision.dsError && { dsError: decision.dsError }),
    ...(decision.broken !== undefined && { broken: decision.broken }),
    transStatus: st,
    ...(decision.transStatusReason !== undefined && { transStatusReason: decision.transStatusReason }),
    ...(answer?.facts.eci !== undefined && { eci: answer.facts.eci }),
    ...(answer?.facts.authenticationValue !== undefined && { authenticationValue: answer.facts.authenticationValue }),
    authenticatedAt: now,
  };
  const build = (base: TransactionRecord): TransactionRecord => ({
    ...base,
    v: 2,
    updatedAt: now,
    stage,
    ...((stage === 'frictionless' || stage === 'ds-error') && { final: true as const }),
    maskedPan: maskPan(areq.pan),
    scheme: match.scheme,
    scenarioKey: scenario.key,
    ...(scenario.source !== 'card' && { scenarioSource: scenario.source }),
    auth,
    ...(ui && {
      challenge: {
        ...openChallenge(ui.kind, {
          now,
          maxAttempts: config.protocol.challenge.maxAttempts,
          timeoutSeconds: config.protocol.challenge.timeoutSeconds,
        }),
        messageVersion,
        ...(areq.challengeWindowSize !== undefined && { challengeWindowSize: areq.challengeWindowSize }),
      },
    }),
    ...(stage === 'decoupled' && { decoupledDueAt: now + config.protocol.decoupledDelayMs }),
    ...(areq.sdk && {
      app: {
        sdkTransID: areq.sdk.sdkTransID,
        sdkEphemPubKey: areq.sdk.sdkEphemPubKey,
        ...(areq.sdk.sdkReferenceNumber !== undefined && { sdkReferenceNumber: areq.sdk.sdkReferenceNumber }),
        ...(areq.sdk.sdkAppID !== undefined && { sdkAppID: areq.sdk.sdkAppID }),
        ...prepared?.app,
      },
    }),
  });

  const raced = await store(core, id, build, acsTransID, read ?? undefined);
  if (raced) return repeat(core, raced, hash, areq);
  // Queued at once after the write, before a slow card's delay (a failure to queue is logged, not answered:
  // a repeat queues it again, and any read of the record after its due time completes it).
  if (core.due && (stage === 'challenge' || stage === 'decoupled')) await queueDueWork(core, build(openedRecord(id, now)));
  traceAuthentication(core, id, {
    body,
    createdAt: read?.value.createdAt ?? now,
    pan: areq.pan,
    scheme: match.scheme,
    flow: areq.flow,
    api: ctx.api,
    status: st,
    stage,
    messageVersion,
    scenario: scenario.key,
    ...(answer && { ares: answer.response.authenticationResponse }),
    ...(decision.dsError && { dsError: { ...decision.dsError, threeDSServerTransID: id, dsTransID } }),
  });
  // The slow card answers late (its record is written at once, so a client's retry is answered at once).
  if (decision.delayMs > 0) await core.timers.sleep(decision.delayMs);

  if (stage === 'frictionless' || stage === 'ds-error') {
    core.metrics.counter('threeds_transactions_total').inc({ flow: areq.flow, trans_status: stage === 'ds-error' ? 'error' : st });
  }
  if (stage === 'decoupled' && !core.due) {
    // The push happens here when this worker lives that long; any later read materializes it otherwise.
    core.timers.schedule(config.protocol.decoupledDelayMs + 10, () => {
      loadRecord(core, id).catch((err: unknown) =>
        core.logger.warn('decoupled completion failed', { threeDSServerTransID: id, err: err as Error }),
      );
    });
  }
  if (decision.dsError) throw new DirectoryServerError(decision.dsError, { ...ids, dsTransID }, messageVersion);
  return withAcctNumber((answer as NonNullable<typeof answer>).response, areq.pan, config.protocol.echoFullPan);
}

/** Stores the authenticated record; returns the record that won instead when another request did. */
async function store(
  core: ProtocolCore,
  id: string,
  build: (base: TransactionRecord) => TransactionRecord,
  acsTransID: string,
  /** The record as read before, when one was: its version is written against; absent: create first. */
  read: Versioned<TransactionRecord> | undefined,
): Promise<TransactionRecord | undefined> {
  if (read === undefined) {
    try {
      await core.store.create(id, build(openedRecord(id, core.now())), { acsTransID });
      return undefined;
    } catch (err) {
      if (!(err instanceof StoreConflictError)) throw err;
    }
  }
  let raced: TransactionRecord | undefined;
  const stored = await mutate(
    core.store,
    id,
    (cur) => {
      raced = cur.auth ? cur : undefined;
      return raced ? undefined : build(cur);
    },
    { acsTransID },
    undefined,
    read,
  );
  if (!stored) {
    throw new AppError('TRANSACTION_NOT_FOUND', 'threeDSServerTransID: the transaction expired while it was being authenticated', {
      threeDSServerTransID: id,
    });
  }
  return raced;
}

/**
 * The due work a pending record needs in the shared queue (SPEC §19): the decoupled completion at its due
 * time, the challenge timeout at the deadline openChallenge set (it never moves). Whichever instance is
 * alive when it is due claims it; running it is a CAS on the record, so a second run finds it final.
 * Queuing is idempotent (ZADD NX on a member naming kind, ID and attempt), so a repeat queues it again
 * safely: an instance that died between writing the record and queuing leaves nothing lost once the
 * client retries.
 */
async function queueDueWork(core: ProtocolCore, rec: TransactionRecord): Promise<void> {
  if (!core.due || rec.final) return;
  const id = rec.threeDSServerTransID;
  const open = rec.stage === 'challenge' && rec.challenge?.status === 'open' ? rec.challenge.deadline : undefined;
  const job =
    rec.stage === 'decoupled' && rec.decoupledDueAt !== undefined
      ? { kind: 'decoupled' as const, at: rec.decoupledDueAt, what: 'decoupled completion' }
      : open !== undefined
        ? { kind: 'challenge' as const, at: open, what: 'challenge timeout' }
        : undefined;
  if (!job) return;
  await core.due
    .schedule({ kind: job.kind, id, attempt: 1 }, job.at)
    .catch((err: unknown) => core.logger.warn(`${job.what} not queued in the store`, { threeDSServerTransID: id, err: err as Error }));
}

/** A repeat of an authenticated transaction: the first answer (or the 409), and its due work queued again. */
async function repeat(core: ProtocolCore, rec: TransactionRecord, hash: string, areq: ParsedAReq): Promise<AuthenticateResponse> {
  const answer = replay(core, rec, hash, areq);
  await queueDueWork(core, rec);
  return answer;
}

function replay(core: ProtocolCore, rec: TransactionRecord, hash: string, areq: ParsedAReq): AuthenticateResponse {
  const a = rec.auth as AuthState;
  const ids = { threeDSServerTransID: rec.threeDSServerTransID };
  if (a.requestHash !== hash) {
    throw new AppError('CONFLICTING_REPEAT', 'threeDSServerTransID: already authenticated with a different request', ids, {
      errorMessageType: 'AReq',
      messageVersion: a.messageVersion,
    });
  }
  if (a.dsError) throw new DirectoryServerError(a.dsError, { ...ids, dsTransID: a.dsTransID }, a.messageVersion);
  const stored = a.response as NonNullable<AuthState['response']>;
  // Same body (the hash says so), so the same echo: the first answer, rendered again.
  const response = isWholeAnswer(stored) ? stored : renderAnswer(areq, storedFacts(a, stored));
  return withAcctNumber(response, areq.pan, core.config().protocol.echoFullPan);
}

async function prepareApp(
  core: ProtocolCore,
  areq: ParsedAReq,
  ui: UiSpec | undefined,
  x: { acsTransID: string; messageVersion: string; acsReferenceNumber: string; ctx: RequestContext; withAcsURL: boolean },
): Promise<AppChallengePrepared | undefined> {
  if (!areq.sdk || !ui || !core.appChallenge) return undefined;
  return core.appChallenge.prepare({
    threeDSServerTransID: areq.threeDSServerTransID,
    acsTransID: x.acsTransID,
    acsReferenceNumber: x.acsReferenceNumber,
    // Test card no-acs-url: an app SDK finds acsURL in acsSignedContent, so that is where it is missing.
    ...(x.withAcsURL && { acsURL: `${x.ctx.baseUrl}${PATHS.appChallenge}` }),
    messageVersion: x.messageVersion,
    sdkTransID: areq.sdk.sdkTransID,
    sdkEphemPubKey: areq.sdk.sdkEphemPubKey,
    ...(areq.sdk.sdkReferenceNumber !== undefined && { sdkReferenceNumber: areq.sdk.sdkReferenceNumber }),
    ui,
  });
}

/** X-Mock-Scenario as a selector, when the configuration honours it and the request sent one. */
function scenarioHeader(ctx: RequestContext, enabled: boolean): ScenarioSelector | undefined {
  const v = ctx.scenarioHeader?.trim();
  return enabled && v ? { value: v, field: 'X-Mock-Scenario' } : undefined;
}
