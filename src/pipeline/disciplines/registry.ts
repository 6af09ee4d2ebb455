import { Registry } from '../../plugins/registry.js';
import type { DisciplineDefinition } from '../discipline.js';
import { edfDiscipline } from './edf.js';
import { fcfsDiscipline } from './fcfs.js';
import { priorityDiscipline } from './priority.js';
import { sjfDiscipline } from './sjf.js';

/** Every built-in queue discipline a scenario can name under `pipeline.stages[].queue.discipline`. */
export const DISCIPLINES = new Registry<DisciplineDefinition>('discipline', [fcfsDiscipline, sjfDiscipline, edfDiscipline, priorityDiscipline] as DisciplineDefinition[]);
