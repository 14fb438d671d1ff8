export { freePort } from '@cliprelay/local-postgres/ports';
