import type { Activation } from "@hps/contracts";
import type { Layer } from "../layer.ts";
import { UnknownNameError } from "../unknown-name-error.ts";
import { Elu, LeakyRelu, Relu, Sigmoid, Tanh } from "./activations.ts";
import { Maxout } from "./maxout.ts";

/** Options of the parameterised activations, named as in the model config. */
export interface ActivationOptions {
  /** leaky_relu's negative-side slope (default 0.01). */
  leakySlope?: number;
  /** elu's α (default 1). */
  eluAlpha?: number;
  /** maxout's pieces k (default 2): the layer before must output k times the units wanted. */
  maxoutPieces?: number;
}

type ActivationCtor = (inShape: readonly number[], opts: ActivationOptions) => Layer;

/** Spec name → constructor of the activation layer that follows an affine or conv layer. */
export const ACTIVATIONS: Readonly<Record<Activation, ActivationCtor>> = {
  relu: (s) => new Relu(s),
  leaky_relu: (s, o) => new LeakyRelu(s, o.leakySlope ?? 0.01),
  elu: (s, o) => new Elu(s, o.eluAlpha ?? 1),
  sigmoid: (s) => new Sigmoid(s),
  tanh: (s) => new Tanh(s),
  maxout: (s, o) => new Maxout(s, o.maxoutPieces ?? 2),
};

/** Input units per output unit of an activation: maxout needs k pre-activations per unit, the others 1. */
export function activationFanIn(name: Activation, opts: ActivationOptions = {}): number {
  return name === "maxout" ? (opts.maxoutPieces ?? 2) : 1;
}

/** The activation layer named by `model.activation`. Throws UnknownNameError on an unknown name. */
export function createActivation(name: string, inShape: readonly number[], opts: ActivationOptions = {}): Layer {
  const ctor = Object.hasOwn(ACTIVATIONS, name) ? ACTIVATIONS[name as Activation] : undefined;
  if (!ctor) throw new UnknownNameError("activation", name, Object.keys(ACTIVATIONS));
  return ctor(inShape, opts);
}
