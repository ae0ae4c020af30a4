// Errors of rendering. They carry what the HTTP layer needs to answer 400 or 422.

export interface Problem {
  path: string;
  message: string;
}

/** The job variables are wrong: the caller must change them (400). */
export class JobVariablesInvalid extends Error {
  constructor(readonly problems: Problem[]) {
    super(`The job variables are invalid: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
    this.name = 'JobVariablesInvalid';
  }
}

/** The work pool's template cannot produce a deployable ARM template (422). */
export class TemplateNotRenderable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateNotRenderable';
  }
}

/** A base job template that must not be stored (400). */
export class BaseJobTemplateInvalid extends Error {
  constructor(readonly problems: Problem[]) {
    super(`The base job template is invalid: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
    this.name = 'BaseJobTemplateInvalid';
  }
}
