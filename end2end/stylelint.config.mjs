// The stylesheet lint of command 2. A syntax error such as an unclosed
// block fails it: the CSS bundler would accept it and nest every later rule
// inside the block, silently (it once turned every Monitor chart black).
export default {
  extends: ['stylelint-config-standard'],
  rules: {
    // The sheet is ordered by page, and later page rules deliberately
    // refine the shared table rules above them.
    'no-descending-specificity': null,
  },
};
