import { usePluginData } from '@docusaurus/useGlobalData';
import type { LabCard } from '../../protocol/catalogue';

/** Every lab's card, for the lists: a lab's steps come with the page that shows it, not from here. */
export function useLabCatalogue(): LabCard[] {
  return (usePluginData('lab-catalogue') as { labs: LabCard[] }).labs;
}
