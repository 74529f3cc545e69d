/**
 * The EventBridge rules of the Signalbox bus, as data. The CDK stack turns each into an
 * `events.Rule`; the local runtime registers the same patterns on the in-process bus.
 */
export interface BusRule {
  /** PascalCase construct id, also the local rule name. */
  id: string;
  description: string;
  /** Which consumer (Lambda in AWS, handler locally) the rule targets. */
  target: 'store' | 'alertEvents' | 'live';
  pattern: Record<string, unknown>;
}

const CDEVENT_TYPES = [{ prefix: 'dev.cdevents.' }, { prefix: 'dev.cdeventsx.' }];

export const BUS_RULES: readonly BusRule[] = [
  {
    id: 'LiveUpdates',
    description: 'CDEvents and check observations are pushed to the portals subscribed over WebSocket',
    target: 'live',
    pattern: {
      $or: [
        { 'detail-type': ['SignalboxObservation'] },
        { detail: { context: { type: CDEVENT_TYPES } } },
        { detail: { data: { context: { type: CDEVENT_TYPES } } } },
        { detail: { specversion: [{ exists: true }], type: CDEVENT_TYPES } },
      ],
    },
  },
  {
    id: 'StoreCdEvents',
    description: 'Every CDEvent on the bus (bare, or inside a CloudEvents envelope) is stored',
    target: 'store',
    pattern: {
      $or: [
        { detail: { context: { type: CDEVENT_TYPES } } },
        { detail: { data: { context: { type: CDEVENT_TYPES } } } },
        { detail: { specversion: [{ exists: true }], type: CDEVENT_TYPES } },
      ],
    },
  },
  {
    id: 'AlertOnEvents',
    description: "CDEvents (not Signalbox's own alert events) are checked against the config's event alert rules",
    target: 'alertEvents',
    pattern: {
      source: [{ 'anything-but': ['signalbox.alerts'] }],
      $or: [
        { detail: { context: { type: CDEVENT_TYPES } } },
        { detail: { data: { context: { type: CDEVENT_TYPES } } } },
        { detail: { specversion: [{ exists: true }], type: CDEVENT_TYPES } },
      ],
    },
  },
];

/** `source` Signalbox's own ingest uses on the bus. */
export const INGEST_BUS_SOURCE = 'signalbox.ingest';
/** `detail-type` of CDEvents Signalbox puts on the bus. */
export const CDEVENT_DETAIL_TYPE = 'CDEvent';
