// The parent's side of the IPC with a child process of the harness (the load driver, the flood): the
// child's messages in the order they came, and a message of the caller's making once the child exits.
import type { ChildProcess } from 'node:child_process';

/** Returns `next`: the child's next message, waiting for it if need be; `onExit(code)` once the child is gone. */
export function messagesOf<M>(child: ChildProcess, onExit: (code: number | null) => M): () => Promise<M> {
  const queue: M[] = [];
  let waiting: ((m: M) => void) | undefined;
  child.on('message', (m: M) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(m);
    } else queue.push(m);
  });
  const exited = new Promise<M>((resolve) => child.once('exit', (code) => resolve(onExit(code))));
  return () =>
    queue.length > 0
      ? Promise.resolve(queue.shift() as M)
      : Promise.race([
          new Promise<M>((resolve) => {
            waiting = resolve;
          }),
          exited,
        ]);
}

/** Kills the child unless it has exited already. */
export function killChild(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Asks the child to stop and returns its report; the child is killed either way. `what` names it in errors. */
export async function stopChild<R>(
  child: ChildProcess,
  next: () => Promise<{ type: string; report?: R; message?: string }>,
  what: string,
): Promise<R> {
  child.send({ type: 'stop' });
  const m = await next();
  killChild(child);
  if (m.type !== 'report') throw new Error(m.type === 'error' ? m.message : `no report from ${what}`);
  return m.report as R;
}
