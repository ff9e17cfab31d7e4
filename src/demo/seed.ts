// Deterministic demo data shared by the emulators and the store's demo seed, so that customer N
// in the store, the payments provider's customer N and the CRM's contact N are the same person.
export interface SeedPayment {
  id: string;
  chargeId: string;
  amount: number;
  currency: string;
  status: 'succeeded' | 'processing' | 'requires_payment_method' | 'canceled';
  description: string;
  created: number;
  refundedAmount: number;
}

export interface SeedCustomer {
  /** Switchyard's own id for the customer. */
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  company: string;
  lifecycleStage: string;
  created: number;
  /** The payments provider's id of the customer. */
  paymentsId: string;
  /** The CRM's id of the contact. */
  crmId: string;
  payments: SeedPayment[];
}

const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Frances',
  'Ken',
  'Margaret',
  'Dennis',
  'Radia',
  'John',
  'Sophie',
  'Tim',
  'Hedy',
  'Linus',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Thompson',
  'Hamilton',
  'Ritchie',
  'Perlman',
  'Backus',
  'Wilson',
  'Berners-Lee',
  'Lamarr',
  'Torvalds',
];
const COMPANIES = ['Acme Rail', 'Northwind', 'Globex', 'Initech', 'Umbrella Freight', 'Hooli', 'Vandelay Imports', 'Stark Logistics'];
const STAGES = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer'];
const ITEMS = ['Annual plan', 'Monthly plan', 'Support hours', 'Onboarding', 'Hardware kit', 'Usage overage'];
const CURRENCIES = ['usd', 'usd', 'usd', 'eur', 'gbp'];
const STATUSES: SeedPayment['status'][] = ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'processing', 'requires_payment_method', 'canceled'];

/** Fixed epoch for the seed (2026-01-01T00:00:00Z) so ids and dates never move between runs. */
const EPOCH = 1_767_225_600;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function seedCustomers(count = 200): SeedCustomer[] {
  const out: SeedCustomer[] = [];
  for (let i = 1; i <= count; i++) {
    const firstName = FIRST[i % FIRST.length]!;
    const lastName = LAST[(i * 7) % LAST.length]!;
    const created = EPOCH + i * 3_600;
    const payments: SeedPayment[] = [];
    const paymentCount = i % 6; // 0..5 payments: some customers have none
    for (let p = 1; p <= paymentCount; p++) {
      const status = STATUSES[(i + p) % STATUSES.length]!;
      const amount = 500 + ((i * 37 + p * 101) % 200) * 100;
      payments.push({
        id: `pi_demo${pad(i, 4)}${pad(p, 2)}`,
        chargeId: `ch_demo${pad(i, 4)}${pad(p, 2)}`,
        amount,
        currency: CURRENCIES[(i + p) % CURRENCIES.length]!,
        status,
        description: ITEMS[(i + p) % ITEMS.length]!,
        created: created + p * 86_400,
        refundedAmount: status === 'succeeded' && (i + p) % 9 === 0 ? Math.floor(amount / 2) : 0,
      });
    }
    out.push({
      id: `cust_demo${pad(i, 4)}`,
      email: `${firstName}.${lastName}.${i}@example.com`.toLowerCase(),
      firstName,
      lastName,
      company: COMPANIES[i % COMPANIES.length]!,
      lifecycleStage: STAGES[i % STAGES.length]!,
      created,
      paymentsId: `cus_demo${pad(i, 6)}`,
      crmId: String(1000 + i),
      payments,
    });
  }
  return out;
}
