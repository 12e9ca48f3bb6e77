import { version } from '../package.json';

/** This package's name. @internal */
export const PACKAGE_NAME = '@switchyard/openfeature';

/** This package's version, sent as the created client's `wrapperVersion`. @internal */
export const PACKAGE_VERSION: string = version;

/** Greppable prefix of every message of this package. @internal */
export const PREFIX = '[switchyard/openfeature]';
