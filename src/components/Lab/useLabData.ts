import { usePluginData } from '@docusaurus/useGlobalData';
import type { LabPageData } from '../../protocol/catalogue';

export function useLabCatalogue(): LabPageData[] {
  return (usePluginData('lab-catalogue') as { labs: LabPageData[] }).labs;
}

export function useLabData(id: string): LabPageData | undefined {
  return useLabCatalogue().find((lab) => lab.id === id);
}
