/** See thread-pool.cjs. */
export declare const POOL_THREADS: string;
