export { startTimeout, startInterval, cancelTimer, sleep, monotonicMs, type TimerHandle } from './timers.js';
export { utf8ByteLength } from './utf8.js';
