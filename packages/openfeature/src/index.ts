/**
 * `@switchyard/openfeature`: an OpenFeature server provider (`@openfeature/server-sdk` 1.x) for
 * Switchyard (`@switchyard/node-server`). It translates OpenFeature contexts as LaunchDarkly's provider
 * does, maps LaunchDarkly's errors (and, on request, reasons) to OpenFeature's, adds flag metadata (flag
 * version, context id, variation index, the LaunchDarkly reason), emits provider events from the data
 * source's status and from flag updates, and forwards tracking calls as custom events.
 *
 * @packageDocumentation
 */

export { SwitchyardProvider, PROVIDER_NAME, WRAPPER_NAME } from './provider.js';
export { switchyardProviderDefaults, type SwitchyardProviderOptions } from './options.js';
export { translateContext, type ContextProblemHandler } from './context/translate.js';
export { ERROR_CODES, errorCodeFor } from './evaluation/errors.js';
export { standardReason } from './evaluation/reasons.js';
export { FlagMetadataKeys } from './evaluation/metadata.js';
