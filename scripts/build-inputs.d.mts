/** See build-inputs.mjs. */
export declare const BUILD_INPUTS: string[];
export declare function buildInputsHash(repo: string): string;
