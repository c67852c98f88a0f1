import { z } from 'zod';
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';

// Adds `.openapi()` to zod schemas; imported before any schema is declared.
extendZodWithOpenApi(z);

export { z };
