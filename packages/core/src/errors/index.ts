export {
  SwitchyardError,
  ConfigError,
  TimeoutError,
  ClosedError,
  StoreError,
  MalformedDataError,
  type SwitchyardErrorCode,
  type StoreOperation,
} from './errors.js';
