/**
 * The site shapes live in @lawful/contract (sites.ts) so the SDK and the admin console share them with the API; the
 * banner module keeps this import path for its own files.
 */
export {
  AudienceMeasurementExemption,
  MONTH_SECONDS,
  Site,
  SiteCategory,
  SiteDefinition,
  type SiteDefinitionInput,
  SiteId,
  SiteService,
  SiteSnippet,
} from '@lawful/contract';
