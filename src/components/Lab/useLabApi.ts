import useDocusaurusContext from '@docusaurus/useDocusaurusContext';
import { useMemo } from 'react';
import { LabApi } from './api';

/** The lab API client for this site (its base from docusaurus.config.ts customFields.apiBase). */
export function useLabApi(): LabApi {
  const { siteConfig } = useDocusaurusContext();
  const base = String(siteConfig.customFields?.apiBase ?? '');
  return useMemo(() => new LabApi(base), [base]);
}
