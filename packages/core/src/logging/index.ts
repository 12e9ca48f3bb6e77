export { noopLogger, safeLogger, type LDLogger } from './logger.js';
