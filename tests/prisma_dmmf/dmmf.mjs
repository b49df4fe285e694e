// Prisma's own reading of each schema named on the command line, through
// prisma-fmt's `get_dmmf` (npm's @prisma/prisma-schema-wasm: offline, no
// engine download), reduced to what forest-runbook's parser must agree on:
// models and composite types with their stored names, fields (type, list,
// optional) and indexes. Prints one JSON array, one entry per schema.
import { readFileSync } from 'node:fs';
import { get_dmmf } from '@prisma/prisma-schema-wasm';

function fields(block) {
  return block.fields.map((f) => ({
    name: f.name,
    stored: f.dbName ?? f.name,
    type: f.type,
    list: f.isList,
    optional: !f.isRequired && !f.isList,
  }));
}

function read(path) {
  const text = readFileSync(path, 'utf8');
  const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: [[path, text]] })));
  const { models, types, indexes } = dmmf.datamodel;
  const stored = (model, name) => {
    const block = models.find((m) => m.name === model);
    const field = block?.fields.find((f) => f.name === name);
    return field?.dbName ?? name;
  };
  return {
    path,
    models: models.map((m) => ({ name: m.name, collection: m.dbName ?? m.name, fields: fields(m) })),
    types: types.map((t) => ({ name: t.name, collection: t.dbName ?? t.name, fields: fields(t) })),
    indexes: indexes
      .filter((i) => i.type !== 'id')
      .map((i) => ({
        model: i.model,
        kind: i.type,
        fields: i.fields.map((f) => stored(i.model, f.name)),
        descending: i.fields.map((f) => f.sortOrder === 'desc'),
        map: i.dbName ?? null,
      })),
  };
}

console.log(JSON.stringify(process.argv.slice(2).map(read)));
