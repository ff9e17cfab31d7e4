// The hostile documents of the limits benchmark and tests: each must be refused before any
// resolver runs, quickly, with the server still answering others.
const depth = (n: number) => {
  // customer -> payments -> edges -> node -> customer -> ... -> id: n levels of real fields, so
  // only a limit stops it.
  const steps = ['payments', 'edges', 'node', 'customer'];
  let open = '';
  let close = '';
  for (let i = 0; i < n - 2; i++) {
    open += `${steps[i % 4]} { `;
    close += ' }';
  }
  return `{ customer(id: "cust_demo0001") { ${open}id${close} } }`;
};

export const HOSTILE = {
  depth50: depth(50),
  aliases10k: `{ ${Array.from({ length: 10_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`,
  /** 1 MiB of query text: a valid operation padded with an enormous comment. */
  query1mb: `{ __typename }\n#${'x'.repeat(1_048_576)}`,
  nestedFirst1000: '{ customers(first: 1000) { edges { node { payments(first: 1000) { edges { node { refunds { id amount { formatted } } } } } } } } }',
} as const;
