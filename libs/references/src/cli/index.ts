// 'nestjs-references/cli': the `references …` commands, apart from the main entry point so that
// nest-commander stays an optional dependency of apps that do not mount them.
export { ReferencesCliModule } from './references-cli.module.js';
