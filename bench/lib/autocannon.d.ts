// autocannon ships no types and @types/autocannon is not a dependency: the little we use.
declare module "autocannon" {
  function autocannon(options: Record<string, unknown>): PromiseLike<unknown>;
  export default autocannon;
}
