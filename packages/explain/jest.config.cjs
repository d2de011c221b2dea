// tfjs-core registers its gradient functions only through an ESM side-effect file in a CommonJS
// package (`dist/register_all_gradients.js`); Jest must compile that tree to CommonJS to load it.
const base = require('../../jest.preset.cjs')(__dirname);
module.exports = {
  ...base,
  transformIgnorePatterns: ['/node_modules/(?!@tensorflow/tfjs-core/dist/)'],
  transform: {
    ...base.transform,
    '/node_modules/@tensorflow/tfjs-core/dist/.+\\.js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
};
