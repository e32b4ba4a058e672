// Entry of the crypto pool's threads in tests: threads get no TypeScript loader of their own, so this
// registers tsx first (tsx/esm/api register()) and then loads the real task module from src/.
import { register } from 'tsx/esm/api';

register();
const { default: runCryptoTask } = await import('../../src/crypto/tasks/crypto-task.ts');

export default runCryptoTask;
