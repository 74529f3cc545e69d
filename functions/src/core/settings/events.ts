import type { StoredSetting } from './model';

/** `context.source` of settings events. */
export const SETTINGS_EVENT_SOURCE = '/signalbox/settings';
/** Bus `source` of settings events. */
export const SETTINGS_BUS_SOURCE = 'signalbox.settings';
/** The custom CDEvent type of a saved setting. */
export const SETTING_CHANGED_TYPE = 'dev.cdeventsx.signalbox-setting.changed.0.1.0';

/**
 * The CDEvent of a saved settings item (custom type `dev.cdeventsx.signalbox-setting.changed`):
 * subject id `<kind>/<name>`, content = the item with who and when. The id is derived from the
 * item and its revision, so re-publishing the same save is stored once. Pure.
 */
export function toSettingCdevent(item: StoredSetting, portalUrl?: string): Record<string, unknown> {
  const base = (portalUrl ?? 'http://localhost:3000').replace(/\/+$/, '');
  return {
    context: {
      specversion: '0.5.1',
      id: `setting/${item.kind}/${item.name}/${item.revision}`,
      source: SETTINGS_EVENT_SOURCE,
      type: SETTING_CHANGED_TYPE,
      timestamp: item.updatedAt,
      schemaUri: `${base}/schemas/signalbox-setting.changed.0.1.0.json`,
    },
    subject: {
      id: `${item.kind}/${item.name}`,
      source: SETTINGS_EVENT_SOURCE,
      content: {
        kind: item.kind,
        name: item.name,
        enabled: item.enabled,
        settings: item.settings,
        revision: item.revision,
        by: item.updatedBy,
        ...(item.kind === 'service' ? { service: { id: item.name } } : {}),
        ...(item.kind === 'environment' ? { environment: { id: item.name } } : {}),
      },
    },
  };
}
