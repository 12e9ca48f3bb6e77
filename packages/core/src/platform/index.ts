export { startTimeout, startInterval, cancelTimer, sleep, type TimerHandle } from './timers.js';
export { utf8ByteLength } from './utf8.js';
