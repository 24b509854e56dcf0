// Bad input and resource caps on a real RS_v11, sockets on the main thread (the default).
import { robustnessSuite } from '../helpers/robustness-suite.js';

await robustnessSuite('');
