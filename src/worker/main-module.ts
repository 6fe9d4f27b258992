import Module from 'node:module';

type Loadable = { id: string; load(filename: string): void };

/**
 * Makes a CommonJS `script` the process's main module when it loads, as `node script.js`
 * would: `require.main === module` is then true in it. Apps guard their listen() with that
 * (`module.exports = app; if (require.main === module) app.listen(3000)`), and would
 * otherwise never listen under the worker entry, which is the real main module.
 */
export function loadAsMain(script: string): void {
  const proto = (Module as unknown as { prototype: Loadable }).prototype;
  const load = proto.load;
  proto.load = function loadMain(this: Loadable, filename: string): void {
    if (filename === script) {
      proto.load = load;
      process.mainModule = this as unknown as NodeJS.Module;
      this.id = '.';
    }
    load.call(this, filename);
  };
}
