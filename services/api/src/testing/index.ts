/** Test-only helpers (`@hps/api/testing`): never imported by the product, whose dependencies do not include ajv. */
export { API_VALIDATOR_OPTIONS, buildCheckedApp, checkResponses } from "./checked-app.ts";
export { checkedFetch } from "./checked-fetch.ts";
export { ContractViolation, ResponseValidator, validatorFor, type ObservedResponse, type ValidatorOptions } from "./openapi-validator.ts";
export { seedLargeSearch } from "./large-search.ts";
