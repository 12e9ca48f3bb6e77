/**
 * Data sources for tests and local development (LaunchDarkly's `integrations`): `TestData` (flags set from
 * code) and `FileDataSourceFactory` (flags from JSON/YAML files). Also available as the
 * `@switchyard/node-server/integrations` subpath and as the `integrations` namespace of the main entry.
 *
 * @packageDocumentation
 */
export { FileDataSourceFactory, type FileDataSourceOptions } from './file-data-source.js';
export { TestData, TestDataFlagBuilder, TestDataRuleBuilder } from './test-data.js';
