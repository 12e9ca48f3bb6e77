import { switchyardVitest } from '@switchyard/vitest-config';

export default switchyardVitest();
