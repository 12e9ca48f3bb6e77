import type { TrackingEventDetails } from '@openfeature/server-sdk';

/**
 * Splits OpenFeature's tracking details into LaunchDarkly's custom-event arguments, as LaunchDarkly's
 * provider does: `value` (a number) becomes `metricValue`, every other detail becomes `data` (none:
 * `undefined`). A `value` that is not a number stays in `data`. @internal
 */
export function translateTrackingDetails(details: TrackingEventDetails | undefined): { data: Record<string, unknown> | undefined; metricValue: number | undefined } {
  if (details === undefined || details === null || typeof details !== 'object') return { data: undefined, metricValue: undefined };
  const { value, ...rest } = details;
  const data: Record<string, unknown> = rest;
  if (typeof value === 'number') return { data: Object.keys(data).length > 0 ? data : undefined, metricValue: value };
  if (value !== undefined) data.value = value;
  return { data: Object.keys(data).length > 0 ? data : undefined, metricValue: undefined };
}
