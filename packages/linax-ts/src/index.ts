/**
 * linax-ts — the batteries-included entry point: core (np, lax, transforms) with the CPU backend
 * registered.
 */
import "@linax-ts/backend-cpu";
export * from "@linax-ts/core";
export * as nn from "@linax-ts/nn";
export * as ssm from "@linax-ts/ssm";
