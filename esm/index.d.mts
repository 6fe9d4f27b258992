import sticky = require('../dist/index.js');

export default sticky;
export declare const listen: typeof sticky.listen;
export declare const start: typeof sticky.start;
