import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { type ApplicationConfig, provideBrowserGlobalErrorListeners } from '@angular/core';
import { provideAnimationsAsync } from '@angular/platform-browser/animations/async';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { routes } from './app.routes';
import { authInterceptor } from './core/auth-interceptor';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideRouter(routes, withComponentInputBinding()),
    provideHttpClient(withInterceptors([authInterceptor])),
    // The charts (@swimlane/ngx-charts, in lazy chunks) animate with @angular/animations, loaded on demand.
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- ngx-charts 25 still uses @angular/animations triggers.
    provideAnimationsAsync(),
  ],
};
