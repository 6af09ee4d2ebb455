// A researcher's own queue discipline, as a pipesim plug-in: least slack first, where a request's
// slack is its deadline minus now minus its expected service on the stage. Now is the same for
// every waiting request, so ordering by deadline - expected service is the same order, and the key
// can be fixed when the request joins (pipesim's KeyedQueue: a heap on (key, order of joining)).
// Name it in a scenario with
//   queue: {discipline: {kind: module, path: least-slack-first.mjs}}
import { defineDiscipline, KeyedQueue, z } from 'pipesim';

export default defineDiscipline({
  kind: 'least-slack-first',
  description: 'smallest deadline - expected service first',
  options: z.strictObject({}),
  create: (_options, { expectedService }) => new KeyedQueue((request) => request.deadline - expectedService(request)),
});
